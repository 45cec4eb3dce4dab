//! Entry point of the load worker (see `leadlens::worker`): Trunk builds it
//! as a second module, started by the page for each file it reads.

#[cfg(target_arch = "wasm32")]
fn main() {
    leadlens::worker::serve();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the load worker runs in the browser, started by the leadlens page.");
    std::process::exit(2);
}
