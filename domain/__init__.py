"""The business rules of the mall, shared by the API (backend/) and the dashboard (dashboard/)."""
