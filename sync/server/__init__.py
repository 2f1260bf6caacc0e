"""The central sync server: FastAPI on uvicorn, SQLAlchemy on SQLite or PostgreSQL."""
