from pipelines.cli import cli

cli()
