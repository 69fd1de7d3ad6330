//! Integration tests: one binary (ripgrep style), one module per subcommand.

mod check;
mod util;
mod validate;
