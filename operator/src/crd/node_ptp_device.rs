//! [`NodePtpDevice`]: the PTP-capable devices of one node, reported by its agent.
//!
//! Upstream: `api/v1/nodeptpdevice_types.go`. One object per node, named after the node; the
//! spec is empty.

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::optional_spec::optional_spec;
use super::schema;

/// A node's PTP devices. The operator creates one per node, named after it; the node's agent
/// fills the status.
#[derive(
    CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema,
)]
#[serde(remote = "Self")]
#[kube(
    group = "ptp.openshift.io",
    version = "v1",
    kind = "NodePtpDevice",
    namespaced,
    status = "NodePtpDeviceStatus",
    derive = "PartialEq",
    doc = "NodePtpDevice lists the PTP-capable devices of the node it is named after.",
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
pub struct NodePtpDeviceSpec {}

optional_spec!(NodePtpDeviceSpec);

/// The devices and hardware of a node.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodePtpDeviceStatus {
    /// PTP-capable network interfaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub devices: Option<Vec<PtpDevice>>,
    /// Results of hardware configuration by plugins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hwconfig: Option<Vec<HwConfig>>,
    /// The system (SMBIOS type 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_info: Option<SystemInfo>,
    /// The base board (SMBIOS type 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_board_info: Option<BaseBoardInfo>,
}

/// A PTP-capable network interface.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PtpDevice {
    /// Interface name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Profile using the interface.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Hardware details of the interface.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hardware_info: Option<HardwareInfo>,
}

/// Hardware details of a network interface, all as text.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HardwareInfo {
    /// PCI address (`0000:17:00.0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pci_address: Option<String>,
    /// PCI vendor ID.
    #[serde(default, rename = "vendorID", skip_serializing_if = "Option::is_none")]
    pub vendor_id: Option<String>,
    /// PCI device ID.
    #[serde(default, rename = "deviceID", skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    /// PCI subsystem vendor ID.
    #[serde(
        default,
        rename = "subsystemVendorID",
        skip_serializing_if = "Option::is_none"
    )]
    pub subsystem_vendor_id: Option<String>,
    /// PCI subsystem device ID.
    #[serde(
        default,
        rename = "subsystemDeviceID",
        skip_serializing_if = "Option::is_none"
    )]
    pub subsystem_device_id: Option<String>,
    /// Firmware version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firmware_version: Option<String>,
    /// Driver version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver_version: Option<String>,
    /// Link status, `up` or `down`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_status: Option<String>,
    /// Link speed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_speed: Option<String>,
    /// Forward error correction mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fec: Option<String>,
    /// VPD identifier string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpd_identifier_string: Option<String>,
    /// VPD part number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpd_part_number: Option<String>,
    /// VPD serial number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpd_serial_number: Option<String>,
    /// VPD manufacturer ID.
    #[serde(
        default,
        rename = "vpdManufacturerID",
        skip_serializing_if = "Option::is_none"
    )]
    pub vpd_manufacturer_id: Option<String>,
    /// VPD product name (V0 field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpd_product_name: Option<String>,
    /// VPD vendor-specific field V1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpd_vendor_specific1: Option<String>,
    /// VPD vendor-specific field V2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpd_vendor_specific2: Option<String>,
    /// The kernel driver's name (ours; upstream has only its version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    /// The interface's MAC address (ours).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<String>,
    /// The interface's PTP hardware clock, `/dev/ptpN` (ours).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ptp_hardware_clock: Option<String>,
}

/// The outcome of configuring one device's hardware.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HwConfig {
    /// Device ID (`gnss` for GNSS receiver results).
    #[serde(default, rename = "deviceID", skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    /// Vendor ID.
    #[serde(default, rename = "vendorID", skip_serializing_if = "Option::is_none")]
    pub vendor_id: Option<String>,
    /// Whether configuring failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<bool>,
    /// Human-readable status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The configuration applied, free-form JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "schema::any_json")]
    pub config: Option<serde_json::Value>,
}

/// SMBIOS system information (type 1).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SystemInfo {
    /// Manufacturer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<String>,
    /// Product name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_name: Option<String>,
    /// Version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Serial number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    /// SKU number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku_number: Option<String>,
    /// Family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
}

/// SMBIOS base board information (type 2).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BaseBoardInfo {
    /// Manufacturer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<String>,
    /// Product name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_name: Option<String>,
    /// Version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Serial number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
}
