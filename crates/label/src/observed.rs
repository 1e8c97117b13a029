//! What trackscan observes, as Play data types, each with its evidence.
