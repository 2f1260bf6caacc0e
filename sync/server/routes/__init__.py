"""The server's HTTP routes, one APIRouter module per area (see `sync.server.app`)."""
