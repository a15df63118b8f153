"""The web layer: foilog's Datasette plugin, facets, templates and metadata, and `foilog serve`."""

NAME = "foilog"  # the database's name in every URL and in metadata.yml, whatever the file is called
