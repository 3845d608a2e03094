//! Checks every structure and constant of [`super`] against the kernel headers installed on the
//! machine (`linux-libc-dev`), by compiling and running a C program with `cc` (`test_prereq`:
//! skipped outside CI without them, failed with CI=true).

use std::collections::BTreeMap;
use std::mem::{offset_of, size_of};
use std::process::Command;

use super::*;

/// `(C expression, value on the Rust side)`. The C program prints each expression's value.
fn rust_side() -> Vec<(&'static str, u64)> {
    macro_rules! s {
        ($c:literal, $t:ty) => {
            (concat!("sizeof(", $c, ")"), size_of::<$t>() as u64)
        };
    }
    macro_rules! o {
        ($c:literal, $t:ty, $f:ident) => {
            (o!(@ $c, $f, stringify!($f)), offset_of!($t, $f) as u64)
        };
        ($c:literal, $t:ty, $f:ident, $cf:literal) => {
            (concat!("offsetof(", $c, ", ", $cf, ")"), offset_of!($t, $f) as u64)
        };
        (@ $c:literal, $f:ident, $fs:expr) => {
            Box::leak(format!("offsetof({}, {})", $c, $fs).into_boxed_str())
        };
    }
    macro_rules! k {
        ($c:ident, $v:expr) => {
            (stringify!($c), $v as u64)
        };
    }
    vec![
        s!("struct ptp_clock_time", PtpClockTime),
        o!("struct ptp_clock_time", PtpClockTime, nsec),
        s!("struct ptp_clock_caps", PtpClockCaps),
        o!("struct ptp_clock_caps", PtpClockCaps, max_adj),
        o!("struct ptp_clock_caps", PtpClockCaps, n_ext_ts),
        o!("struct ptp_clock_caps", PtpClockCaps, n_per_out),
        o!("struct ptp_clock_caps", PtpClockCaps, pps),
        o!("struct ptp_clock_caps", PtpClockCaps, n_pins),
        o!("struct ptp_clock_caps", PtpClockCaps, cross_timestamping),
        o!("struct ptp_clock_caps", PtpClockCaps, adjust_phase),
        // max_phase_adj is rsv[0] in headers older than 6.2.
        o!("struct ptp_clock_caps", PtpClockCaps, max_phase_adj, "rsv"),
        s!("struct ptp_extts_request", PtpExttsRequest),
        o!("struct ptp_extts_request", PtpExttsRequest, flags),
        s!("struct ptp_perout_request", PtpPeroutRequest),
        o!("struct ptp_perout_request", PtpPeroutRequest, start),
        o!("struct ptp_perout_request", PtpPeroutRequest, period),
        o!("struct ptp_perout_request", PtpPeroutRequest, index),
        o!("struct ptp_perout_request", PtpPeroutRequest, flags),
        o!("struct ptp_perout_request", PtpPeroutRequest, on),
        s!("struct ptp_sys_offset", PtpSysOffset),
        o!("struct ptp_sys_offset", PtpSysOffset, ts),
        s!("struct ptp_sys_offset_extended", PtpSysOffsetExtended),
        // clockid is rsv[0] in headers older than 6.12.
        o!(
            "struct ptp_sys_offset_extended",
            PtpSysOffsetExtended,
            clockid,
            "rsv"
        ),
        o!("struct ptp_sys_offset_extended", PtpSysOffsetExtended, ts),
        s!("struct ptp_sys_offset_precise", PtpSysOffsetPrecise),
        o!(
            "struct ptp_sys_offset_precise",
            PtpSysOffsetPrecise,
            sys_realtime
        ),
        o!(
            "struct ptp_sys_offset_precise",
            PtpSysOffsetPrecise,
            sys_monoraw
        ),
        s!("struct ptp_pin_desc", PtpPinDesc),
        o!("struct ptp_pin_desc", PtpPinDesc, index),
        o!("struct ptp_pin_desc", PtpPinDesc, func),
        o!("struct ptp_pin_desc", PtpPinDesc, chan),
        s!("struct ptp_extts_event", PtpExttsEvent),
        o!("struct ptp_extts_event", PtpExttsEvent, index),
        o!("struct ptp_extts_event", PtpExttsEvent, flags),
        s!("struct hwtstamp_config", HwtstampConfig),
        o!("struct hwtstamp_config", HwtstampConfig, tx_type),
        o!("struct hwtstamp_config", HwtstampConfig, rx_filter),
        s!("struct ethtool_ts_info", EthtoolTsInfo),
        o!("struct ethtool_ts_info", EthtoolTsInfo, so_timestamping),
        o!("struct ethtool_ts_info", EthtoolTsInfo, phc_index),
        o!("struct ethtool_ts_info", EthtoolTsInfo, tx_types),
        o!("struct ethtool_ts_info", EthtoolTsInfo, rx_filters),
        s!("struct ifreq", IfreqData),
        o!("struct ifreq", IfreqData, data, "ifr_data"),
        s!("struct timex", Timex),
        (
            "sizeof(struct timex) /* libc */",
            size_of::<libc::timex>() as u64,
        ),
        o!("struct timex", Timex, offset),
        o!("struct timex", Timex, freq),
        o!("struct timex", Timex, status),
        o!("struct timex", Timex, constant),
        o!("struct timex", Timex, time_sec, "time"),
        o!("struct timex", Timex, tick),
        o!("struct timex", Timex, shift),
        o!("struct timex", Timex, stabil),
        o!("struct timex", Timex, tai),
        ("CMSG_LEN(0)", crate::socket::CMSG_HEADER_FOR_TEST as u64),
        ("CMSG_SPACE(1)", 24),
        o!("struct sockaddr_in", libc::sockaddr_in, sin_addr),
        o!("struct sockaddr_in6", libc::sockaddr_in6, sin6_addr),
        s!("struct sockaddr_in6", libc::sockaddr_in6),
        o!("struct sockaddr_ll", libc::sockaddr_ll, sll_addr),
        s!("struct sock_extended_err", libc::sock_extended_err),
        o!(
            "struct sock_extended_err",
            libc::sock_extended_err,
            ee_origin
        ),
        o!("struct sock_extended_err", libc::sock_extended_err, ee_info),
        o!("struct sock_extended_err", libc::sock_extended_err, ee_data),
        k!(PTP_CLOCK_GETCAPS, libc::PTP_CLOCK_GETCAPS),
        k!(PTP_CLOCK_GETCAPS2, libc::PTP_CLOCK_GETCAPS2),
        k!(PTP_EXTTS_REQUEST, libc::PTP_EXTTS_REQUEST),
        k!(PTP_EXTTS_REQUEST2, libc::PTP_EXTTS_REQUEST2),
        k!(PTP_PEROUT_REQUEST, libc::PTP_PEROUT_REQUEST),
        k!(PTP_PEROUT_REQUEST2, libc::PTP_PEROUT_REQUEST2),
        k!(PTP_ENABLE_PPS, libc::PTP_ENABLE_PPS),
        k!(PTP_ENABLE_PPS2, libc::PTP_ENABLE_PPS2),
        k!(PTP_SYS_OFFSET, libc::PTP_SYS_OFFSET),
        k!(PTP_SYS_OFFSET2, libc::PTP_SYS_OFFSET2),
        k!(PTP_PIN_GETFUNC, libc::PTP_PIN_GETFUNC),
        k!(PTP_PIN_GETFUNC2, libc::PTP_PIN_GETFUNC2),
        k!(PTP_PIN_SETFUNC, libc::PTP_PIN_SETFUNC),
        k!(PTP_PIN_SETFUNC2, libc::PTP_PIN_SETFUNC2),
        k!(PTP_SYS_OFFSET_PRECISE, libc::PTP_SYS_OFFSET_PRECISE),
        k!(PTP_SYS_OFFSET_PRECISE2, libc::PTP_SYS_OFFSET_PRECISE2),
        k!(PTP_SYS_OFFSET_EXTENDED, libc::PTP_SYS_OFFSET_EXTENDED),
        k!(PTP_SYS_OFFSET_EXTENDED2, libc::PTP_SYS_OFFSET_EXTENDED2),
        k!(PTP_MAX_SAMPLES, PTP_MAX_SAMPLES),
        k!(PTP_ENABLE_FEATURE, PTP_ENABLE_FEATURE),
        k!(PTP_RISING_EDGE, PTP_RISING_EDGE),
        k!(PTP_FALLING_EDGE, PTP_FALLING_EDGE),
        k!(PTP_STRICT_FLAGS, PTP_STRICT_FLAGS),
        k!(PTP_PF_EXTTS, libc::PTP_PF_EXTTS),
        k!(PTP_PF_PEROUT, libc::PTP_PF_PEROUT),
        k!(SIOCETHTOOL, libc::SIOCETHTOOL),
        k!(SIOCSHWTSTAMP, libc::SIOCSHWTSTAMP),
        k!(SIOCGHWTSTAMP, libc::SIOCGHWTSTAMP),
        k!(ETHTOOL_GET_TS_INFO, ETHTOOL_GET_TS_INFO),
        k!(HWTSTAMP_TX_ON, libc::HWTSTAMP_TX_ON),
        k!(HWTSTAMP_FILTER_ALL, libc::HWTSTAMP_FILTER_ALL),
        k!(
            HWTSTAMP_FILTER_PTP_V2_EVENT,
            libc::HWTSTAMP_FILTER_PTP_V2_EVENT
        ),
        k!(SO_TIMESTAMPING, libc::SO_TIMESTAMPING),
        k!(SCM_TIMESTAMPING, libc::SCM_TIMESTAMPING),
        k!(
            SOF_TIMESTAMPING_TX_HARDWARE,
            libc::SOF_TIMESTAMPING_TX_HARDWARE
        ),
        k!(
            SOF_TIMESTAMPING_TX_SOFTWARE,
            libc::SOF_TIMESTAMPING_TX_SOFTWARE
        ),
        k!(
            SOF_TIMESTAMPING_RX_HARDWARE,
            libc::SOF_TIMESTAMPING_RX_HARDWARE
        ),
        k!(
            SOF_TIMESTAMPING_RX_SOFTWARE,
            libc::SOF_TIMESTAMPING_RX_SOFTWARE
        ),
        k!(SOF_TIMESTAMPING_SOFTWARE, libc::SOF_TIMESTAMPING_SOFTWARE),
        k!(
            SOF_TIMESTAMPING_RAW_HARDWARE,
            libc::SOF_TIMESTAMPING_RAW_HARDWARE
        ),
        k!(SOF_TIMESTAMPING_OPT_ID, libc::SOF_TIMESTAMPING_OPT_ID),
        k!(
            SOF_TIMESTAMPING_OPT_TSONLY,
            libc::SOF_TIMESTAMPING_OPT_TSONLY
        ),
        k!(SO_EE_ORIGIN_TIMESTAMPING, SO_EE_ORIGIN_TIMESTAMPING),
        k!(PACKET_TX_TIMESTAMP, PACKET_TX_TIMESTAMP),
        k!(PACKET_ADD_MEMBERSHIP, libc::PACKET_ADD_MEMBERSHIP),
        k!(PACKET_MR_MULTICAST, libc::PACKET_MR_MULTICAST),
        k!(ADJ_SETOFFSET, libc::ADJ_SETOFFSET),
        k!(ADJ_NANO, libc::ADJ_NANO),
        k!(ADJ_OFFSET, libc::ADJ_OFFSET),
        k!(ADJ_FREQUENCY, libc::ADJ_FREQUENCY),
        k!(ADJ_STATUS, libc::ADJ_STATUS),
        k!(STA_NANO, libc::STA_NANO),
        k!(STA_PLL, libc::STA_PLL),
    ]
}

const PRELUDE: &str = "\
#include <stddef.h>
#include <stdio.h>
#include <sys/timex.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/ptp_clock.h>
#include <linux/net_tstamp.h>
#include <linux/ethtool.h>
#include <linux/errqueue.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
int main(void) {
";

fn c_side(exprs: &[&str]) -> BTreeMap<String, u64> {
    let dir = std::env::temp_dir().join(format!("phc-layout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut src = String::from(PRELUDE);
    for e in exprs {
        // The expression text doubles as the key; strip a trailing comment for the C side.
        let c = e.split("/*").next().unwrap().trim();
        src.push_str(&format!(
            "  printf(\"%s=%llu\\n\", \"{e}\", (unsigned long long)({c}));\n"
        ));
    }
    src.push_str("  return 0;\n}\n");
    let c_file = dir.join("layout.c");
    let exe = dir.join("layout");
    std::fs::write(&c_file, src).unwrap();
    let compiled = Command::new("cc")
        .arg("-o")
        .arg(&exe)
        .arg(&c_file)
        .output()
        .unwrap();
    assert!(
        compiled.status.success(),
        "cc failed:\n{}",
        String::from_utf8_lossy(&compiled.stderr)
    );
    let out = Command::new(&exe).output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines()
        .map(|l| {
            let (k, v) = l.rsplit_once('=').unwrap();
            (k.to_owned(), v.parse().unwrap())
        })
        .collect()
}

#[test]
fn structures_and_constants_match_the_kernel_headers() {
    use test_prereq::{require, Prerequisite};
    if !require(
        "structures_and_constants_match_the_kernel_headers",
        &[Prerequisite::CC, Prerequisite::KERNEL_HEADERS],
    ) {
        return;
    }
    let rust = rust_side();
    let exprs: Vec<&str> = rust.iter().map(|(e, _)| *e).collect();
    let c = c_side(&exprs);
    let mut mismatches = Vec::new();
    for (expr, value) in &rust {
        let c_value = c[*expr];
        if c_value != *value {
            mismatches.push(format!("{expr}: C {c_value:#x}, Rust {value:#x}"));
        }
    }
    assert!(
        mismatches.is_empty(),
        "layout mismatches:\n{}",
        mismatches.join("\n")
    );
    assert_eq!(c.len(), rust.len());
}
