"""Live contacts: the queue, routing and conversations between seekers and counsellors."""
