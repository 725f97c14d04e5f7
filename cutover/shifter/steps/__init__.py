"""The workflow's steps: each combines pure logic with adapters; handlers only dispatch here."""
