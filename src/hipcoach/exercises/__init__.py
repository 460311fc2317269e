"""The exercise catalogue (data), its schema, and the checks it names."""
