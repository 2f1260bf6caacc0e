"""The sync protocol shared by the desktop app and the central server."""
