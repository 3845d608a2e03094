//! Starts a private cluster, prints its URL and directory, and aborts without running any
//! destructor. `tests/harness.rs` runs it to prove the servers do not outlive a crashed test
//! process.

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let binaries = kube_harness::Binaries::locate()?;
    let cluster = kube_harness::Cluster::start(binaries).await?;
    println!("{}", cluster.url());
    println!("{}", cluster.data_dir().display());
    std::process::abort()
}
