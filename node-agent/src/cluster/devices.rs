//! The node's PTP-capable network interfaces, as the daemon reports them in its node's
//! `NodePtpDevice` status ([`discover`]): physical functions of PCI devices (virtual
//! interfaces and SR-IOV virtual functions are skipped, as the daemon skips them) that time
//! stamp in hardware (transmit, receive and the raw PHC clock, what the daemon asks of
//! `ethtool -T`), with their PCI identity, driver, link, MAC address and PTP hardware clock,
//! read from sysfs and `ETHTOOL_GET_TS_INFO`.
//!
//! The agent writes them at start and again when they change; it looks every
//! [`DEVICES_PERIOD`] (links going up or down, interfaces appearing).

use std::path::Path;
use std::time::Duration;

use operator::crd::{HardwareInfo, PtpDevice};
use phc::TimestampingInfo;

/// How often the interfaces are looked at again.
pub const DEVICES_PERIOD: Duration = Duration::from_secs(60);

/// Where the kernel lists the network interfaces.
pub const SYS_CLASS_NET: &str = "/sys/class/net";

/// The PTP-capable interfaces under `sys_class_net`, sorted by name; `timestamping` says what
/// an interface can time stamp (`None`: it cannot be asked).
pub fn discover(
    sys_class_net: &Path,
    timestamping: impl Fn(&str) -> Option<TimestampingInfo>,
) -> Vec<PtpDevice> {
    let Ok(entries) = std::fs::read_dir(sys_class_net) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
        .into_iter()
        .filter_map(|name| {
            let dir = sys_class_net.join(&name);
            let device = dir.join("device");
            // Virtual interfaces have no device; virtual functions have a physical one.
            let pci = std::fs::canonicalize(&device).ok()?;
            if device.join("physfn").exists() {
                return None;
            }
            let info = timestamping(&name).filter(TimestampingInfo::supports_hardware)?;
            let text = |path: &Path| {
                std::fs::read_to_string(path)
                    .ok()
                    .map(|t| t.trim().to_owned())
                    .filter(|t| !t.is_empty())
            };
            let link_name = |path: &Path| {
                std::fs::read_link(path)
                    .ok()
                    .and_then(|t| t.file_name().map(|n| n.to_string_lossy().into_owned()))
            };
            let driver = link_name(&device.join("driver"));
            let hardware = HardwareInfo {
                pci_address: pci.file_name().map(|n| n.to_string_lossy().into_owned()),
                vendor_id: text(&device.join("vendor")),
                device_id: text(&device.join("device")),
                subsystem_vendor_id: text(&device.join("subsystem_vendor")),
                subsystem_device_id: text(&device.join("subsystem_device")),
                driver_version: driver
                    .as_ref()
                    .and_then(|d| text(&Path::new("/sys/module").join(d).join("version"))),
                link_status: text(&dir.join("operstate"))
                    .map(|s| if s == "up" { "up" } else { "down" }.to_owned()),
                link_speed: text(&dir.join("speed"))
                    .filter(|s| !s.starts_with('-'))
                    .map(|s| format!("{s}Mb/s")),
                mac_address: text(&dir.join("address")),
                ptp_hardware_clock: info.phc_index.map(|i| format!("/dev/ptp{i}")),
                driver,
                ..HardwareInfo::default()
            };
            Some(PtpDevice {
                name: Some(name),
                profile: None,
                hardware_info: Some(hardware),
            })
        })
        .collect()
}

/// A sysfs-like tree and time-stamping answers for the tests of the discovery and of its
/// callers.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// A sysfs-like tree: `ens1f0` (a PCI physical function with hardware stamps), `ens1f0v0`
    /// (its virtual function), `veth0` (virtual) and `eno1` (PCI, software stamps only).
    pub(crate) fn tree(root: &Path) {
        let pci = root.join("devices/0000:17:00.0");
        let vf = root.join("devices/0000:17:02.0");
        let plain = root.join("devices/0000:03:00.0");
        for (dev, vendor) in [(&pci, "0x8086"), (&vf, "0x8086"), (&plain, "0x14e4")] {
            write(&dev.join("vendor"), &format!("{vendor}\n"));
            write(&dev.join("device"), "0x159b\n");
        }
        write(&pci.join("subsystem_vendor"), "0x8086\n");
        write(&vf.join("physfn/.keep"), "");
        std::fs::create_dir_all(root.join("drivers/ice")).unwrap();
        std::os::unix::fs::symlink(root.join("drivers/ice"), pci.join("driver")).unwrap();
        let net = root.join("class/net");
        for (name, dev) in [
            ("ens1f0", Some(&pci)),
            ("ens1f0v0", Some(&vf)),
            ("eno1", Some(&plain)),
            ("veth0", None),
        ] {
            std::fs::create_dir_all(net.join(name)).unwrap();
            if let Some(dev) = dev {
                std::os::unix::fs::symlink(dev, net.join(name).join("device")).unwrap();
            }
            write(&net.join(name).join("operstate"), "up\n");
            write(&net.join(name).join("address"), "b4:96:91:aa:bb:cc\n");
            write(&net.join(name).join("speed"), "25000\n");
        }
    }

    pub(crate) fn hardware(phc: Option<u32>) -> TimestampingInfo {
        TimestampingInfo {
            so_timestamping: libc::SOF_TIMESTAMPING_TX_HARDWARE
                | libc::SOF_TIMESTAMPING_RX_HARDWARE
                | libc::SOF_TIMESTAMPING_RAW_HARDWARE,
            phc_index: phc,
            tx_types: 0,
            rx_filters: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{hardware, tree};
    use super::*;

    #[test]
    fn hardware_stamping_physical_functions_are_reported_with_their_details() {
        let dir = tempfile::tempdir().unwrap();
        tree(dir.path());
        let devices = discover(&dir.path().join("class/net"), |name| match name {
            "eno1" => Some(TimestampingInfo {
                so_timestamping: libc::SOF_TIMESTAMPING_TX_SOFTWARE,
                ..hardware(None)
            }),
            _ => Some(hardware(Some(2))),
        });
        assert_eq!(devices.len(), 1, "{devices:?}");
        assert_eq!(devices[0].name.as_deref(), Some("ens1f0"));
        let hw = devices[0].hardware_info.as_ref().unwrap();
        assert_eq!(hw.pci_address.as_deref(), Some("0000:17:00.0"));
        assert_eq!(
            (hw.vendor_id.as_deref(), hw.device_id.as_deref()),
            (Some("0x8086"), Some("0x159b"))
        );
        assert_eq!(hw.subsystem_vendor_id.as_deref(), Some("0x8086"));
        assert_eq!(hw.driver.as_deref(), Some("ice"));
        assert_eq!(hw.link_status.as_deref(), Some("up"));
        assert_eq!(hw.link_speed.as_deref(), Some("25000Mb/s"));
        assert_eq!(hw.mac_address.as_deref(), Some("b4:96:91:aa:bb:cc"));
        assert_eq!(hw.ptp_hardware_clock.as_deref(), Some("/dev/ptp2"));
    }
}
