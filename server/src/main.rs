//! `auditrail`: the operator's binary. Parsing and dispatch live in [`server::cli`].

fn main() -> std::process::ExitCode {
    server::cli::main()
}
