"""xinyuan (心援): a platform for psychological-aid hotlines staffed by volunteers."""
