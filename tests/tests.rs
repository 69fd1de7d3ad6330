//! Integration tests: one binary (ripgrep style), one module per subcommand.

mod build;
mod util;
mod validate;
