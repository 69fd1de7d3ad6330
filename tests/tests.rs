//! Integration tests: one binary (ripgrep style), one module per subcommand.

mod reconcile;
mod util;
mod validate;
