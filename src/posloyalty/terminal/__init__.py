"""Terminal application services the UI drives (checkout, registration, returns, end of day). No Qt."""
