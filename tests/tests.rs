//! Integration tests: one binary (ripgrep style), one module per subcommand.

mod build;
mod reconcile;
mod util;
mod validate;
