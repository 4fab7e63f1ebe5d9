class ApplicationError(Exception):
    """A business rule refused the action; the message is French and safe to show."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
