//! `auditrail`: the operator's binary. Parsing and dispatch live in [`server::cli`].

/// mimalloc: ingest and indexing allocate many small strings and maps (JSON in, JSON out, hashing
/// forms); it serves them faster than the system allocator does across threads. With its
/// `override` feature it is also the C library's `malloc`, so SQLite allocates through it too:
/// glibc's per-thread arenas kept what SQLite freed (after a 300 s load test they held 317 MB
/// for 85 MB in use; `malloc_trim` every 10 s still left 260 MB resident), and the server's RSS
/// at rest grew by 100 MiB over the run. It costs SQLite's ingest ~22 % (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    server::cli::main()
}
