//! `auditrail`: the operator's binary. Parsing and dispatch live in [`server::cli`].

/// mimalloc: ingest and indexing allocate many small strings and maps (JSON in, JSON out, hashing
/// forms); it serves them faster than the system allocator does across threads.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    server::cli::main()
}
