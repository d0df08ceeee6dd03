"""The reference report API: serves facility data over HTTP on loopback, and can misbehave on request."""
