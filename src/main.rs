//! Entry point: mount the app, after installing a panic hook that shows the
//! failure on the page instead of leaving a frozen screen.

#[cfg(target_arch = "wasm32")]
fn main() {
    leadlens::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("leadlens runs in the browser: build and serve it with `make serve`.");
    std::process::exit(2);
}
