/* Draws the report's charts with ECharts from the figures in #report-charts (json_script).
 * Every chart has a table beside it with the same figures, for screen readers and small screens. */
(function () {
  'use strict';

  var source = document.getElementById('report-charts');
  if (!source || !window.echarts) { return; }
  var charts = JSON.parse(source.textContent);
  var drawn = [];

  function percentSeries(series) {
    return series.kind === 'percent';
  }

  function values(series) {
    var out = [];
    for (var i = 0; i < series.data.length; i++) {
      var value = series.data[i];
      out.push(value === null ? null : (percentSeries(series) ? Math.round(value * 1000) / 10 : value));
    }
    return out;
  }

  function option(chart) {
    var i;
    if (chart.kind === 'pie') {
      var counts = chart.series[0];
      var data = [];
      for (i = 0; i < chart.categories.length; i++) {
        if (counts.data[i]) { data.push({ name: chart.categories[i], value: counts.data[i] }); }
      }
      return {
        animation: false,
        tooltip: { trigger: 'item' },
        legend: { bottom: 0, type: 'scroll' },
        series: [{ type: 'pie', radius: ['35%', '65%'], data: data, label: { formatter: '{b}: {d}%' } }]
      };
    }
    // Bar or line: counts and seconds on the left axis; percentages get their own axis.
    var series = [];
    var hasPercent = false;
    for (i = 0; i < chart.series.length; i++) {
      if (chart.series[i].kind === 'percent' && chart.series.length > 1) { continue; }
      if (percentSeries(chart.series[i])) { hasPercent = true; }
      series.push({
        name: chart.series[i].name,
        type: chart.kind === 'line' ? 'line' : 'bar',
        smooth: chart.kind === 'line',
        data: values(chart.series[i])
      });
    }
    return {
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: series.length > 1 ? { top: 0 } : undefined,
      grid: { left: 48, right: 16, top: series.length > 1 ? 32 : 16, bottom: 64 },
      xAxis: { type: 'category', data: chart.categories, axisLabel: { interval: 0, rotate: chart.categories.length > 8 ? 45 : 0 } },
      yAxis: { type: 'value', max: hasPercent ? 100 : undefined },
      series: series
    };
  }

  for (var c = 0; c < charts.length; c++) {
    var element = document.getElementById('chart-' + charts[c].key);
    if (!element) { continue; }
    var instance = window.echarts.init(element, null, { renderer: 'canvas' });
    instance.setOption(option(charts[c]));
    drawn.push(instance);
  }

  window.addEventListener('resize', function () {
    for (var d = 0; d < drawn.length; d++) { drawn[d].resize(); }
  });
  // Printing: charts at their printed width.
  window.addEventListener('beforeprint', function () {
    for (var d = 0; d < drawn.length; d++) { drawn[d].resize(); }
  });

  var print = document.getElementById('print-brief');
  if (print) { print.addEventListener('click', function () { window.print(); }); }
}());
