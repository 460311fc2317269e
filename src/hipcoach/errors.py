"""One error hierarchy. Edges (CLI, HTTP, socket) turn these into exit codes and statuses."""


class HipcoachError(Exception):
    """Base class: the message is one plain line meant for the person using the app."""

    exit_code = 2


class InputFileError(HipcoachError):
    """A file is missing, unreadable, or not what it claims to be (video, landmark CSV, answers)."""


class LandmarkFormatError(InputFileError):
    """A landmark CSV has missing columns, non-numeric values or non-increasing times."""


class NoPersonError(HipcoachError):
    """The pose estimator found no person in the footage."""


class CatalogueError(HipcoachError):
    """The exercise catalogue is invalid, or an exercise/variation id is unknown."""


class TooShortError(HipcoachError):
    """The recording is too short to contain a single repetition."""


class StorageError(HipcoachError):
    """The database cannot be opened, migrated or written."""


class SafetyStop(HipcoachError):
    """A red flag was reported: the programme is stopped until the person is cleared."""

    exit_code = 3
