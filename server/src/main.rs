//! `auditrail`: the operator's binary. Parsing and dispatch live in [`server::cli`].

/// mimalloc: ingest and indexing allocate many small strings and maps (JSON in, JSON out, hashing
/// forms); it serves them faster than the system allocator does across threads. With its
/// `override` feature it is also the C library's `malloc`, so SQLite allocates through it too:
/// glibc's per-thread arenas kept what SQLite freed (after a 300 s load test 317 MB held for
/// 85 MB in use, even with `malloc_trim` every 10 s), and the server's RSS only grew.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    server::cli::main()
}
