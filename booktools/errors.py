"""The one error the book's build logic raises; the MkDocs hooks turn it into PluginError."""


class BuildError(Exception):
    """Something on a page, a lab or a figure recipe that must fail the build, with its place."""
