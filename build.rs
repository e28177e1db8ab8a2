// The migrations are embedded in the binary by `sqlx::migrate!`: rebuild when one changes, even
// if no Rust file did.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
