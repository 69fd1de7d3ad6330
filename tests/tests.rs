//! Integration tests: one binary (ripgrep style), one module per subcommand.

mod build;
mod check;
mod util;
mod validate;
