//! The sans-IO IEEE 1588-2019 engine: one clock ([`Instance`]) with N ports, as an ordinary
//! clock, a boundary clock or a grandmaster.
//!
//! The runtime feeds it inputs — [`Instance::handle_message`] with the receive time stamp,
//! [`Instance::handle_tx_timestamp`] for the event messages it sent, [`Instance::handle_timer`]
//! when a timer it armed expires, and management changes such as
//! [`Instance::set_grandmaster_settings`] — and carries out the [`Action`]s it hands to an
//! [`ActionSink`]: send bytes, arm or cancel timers, step or slew the clock, report events.
//! The engine reads no clock, opens no socket and allocates nothing on the
//! Sync/Follow_Up/Delay path; every time it needs comes with the input.
//!
//! Modules, by concern: [`action`] (outputs), [`datasets`], [`settings`] (from the
//! configuration), `port` (per-port exchanges), `selection` (BMCA and the state machine),
//! `master` (Announce, Sync, Delay_Resp), `slave` (offset measurement and the servo),
//! `peer_delay` (P2P, requester and responder), `management` (answers to management
//! messages), `delay_filter`.
//!
//! Unicast: a port with a static unicast table ([`PortSettings::unicast_peers`], from its
//! `[unicast_master_table]`) sends Announce, Sync and Follow_Up to each peer and its Delay_Req
//! to its master by unicast; answers always go back to the sender. Negotiation (signaling
//! REQUEST/GRANT, what ptp4l does with that table) will feed the same per-port peer list.
//!
//! Timescales, as ptp4l: with hardware time stamps the clock (a PHC) keeps the PTP timescale;
//! with software time stamps it keeps UTC and announces an arbitrary timescale as
//! grandmaster. A UTC clock under a PTP-timescale master follows it the UTC offset behind,
//! and as a boundary clock hands TAI on downstream (`Instance::timescale_offset`).
//!
//! Management: GETs of the data sets and their members are answered from the engine's state
//! ([`Instance::management_get`]: the standard IDs and linuxptp's TIME_STATUS_NP,
//! GRANDMASTER_SETTINGS_NP, PORT_DATA_SET_NP, PORT_PROPERTIES_NP and PORT_STATS_NP), from
//! the network and from the local management socket ([`Instance::handle_local_management`]).
//! The local socket also takes SETs of PRIORITY1, PRIORITY2 and GRANDMASTER_SETTINGS_NP;
//! from the network SET and COMMAND are refused with NOT_SUPPORTED, as ptp4l 3.1 does.
//!
//! Not yet: unicast negotiation, signaling messages (dropped as [`DropReason::Unsupported`]),
//! SUBSCRIBE_EVENTS_NP notifications, one-step transmission, transparent clocks.

pub mod action;
pub mod datasets;
mod delay_filter;
mod instance;
mod management;
mod master;
mod peer_delay;
mod port;
mod selection;
pub mod settings;
mod slave;

pub use action::{
    Action, ActionLog, ActionSink, ClockAction, Destination, DropReason, Event, Fault,
    MessageClass, OwnedAction, PeerAddress, PortIndex, Timer, TimerKind, TxTag,
};
pub use datasets::{CurrentDs, DefaultDs, DelayMechanism, ParentDs, PortDs, TimePropertiesDs};
pub use instance::{Instance, RxMeta};
pub use settings::{
    ClockDescriptionTexts, InstanceSettings, PortSettings, PortTransport, SettingsError,
};
