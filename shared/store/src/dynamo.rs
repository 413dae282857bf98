//! placeholder; being written
