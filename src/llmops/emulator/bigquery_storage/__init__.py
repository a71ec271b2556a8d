"""The emulated BigQuery Storage API (gRPC): the Read API streams table rows as Arrow record
batches, the Write API appends proto or Arrow rows; both over the emulator's BigQuery engine."""
