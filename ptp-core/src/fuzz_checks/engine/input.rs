//! The byte format of an `engine_inputs` fuzz input: [`Settings`] (the first ten bytes),
//! then [`Op`]s until the bytes run out.
//!
//! Every byte string decodes: a field read past the end is zero, and every value of every
//! field means something valid (settings stay in ptp4l's ranges, selectors wrap). Each type
//! also writes itself back ([`Op::write`]), so that seeds are written as typed inputs rather
//! than hand-made bytes; decoding what was written gives the same values.

use std::fmt::Write as _;

/// Reads the fields of an input front to back; past the end every byte reads as zero.
#[derive(Debug)]
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { rest: data }
    }

    /// Whether every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    fn byte(&mut self) -> u8 {
        match self.rest.split_first() {
            Some((b, rest)) => {
                self.rest = rest;
                *b
            }
            None => 0,
        }
    }

    fn take(&mut self, n: usize) -> &'a [u8] {
        let (taken, rest) = self.rest.split_at(n.min(self.rest.len()));
        self.rest = rest;
        taken
    }
}

/// A value of the input format.
pub trait Field: Sized {
    /// Reads the value.
    fn read(r: &mut Reader<'_>) -> Self;
    /// Appends its encoding to `out`.
    fn write(&self, out: &mut Vec<u8>);
}

impl Field for u8 {
    fn read(r: &mut Reader<'_>) -> Self {
        r.byte()
    }
    fn write(&self, out: &mut Vec<u8>) {
        out.push(*self);
    }
}

impl Field for u16 {
    fn read(r: &mut Reader<'_>) -> Self {
        u16::from_be_bytes([r.byte(), r.byte()])
    }
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_be_bytes());
    }
}

impl Field for i16 {
    fn read(r: &mut Reader<'_>) -> Self {
        i16::from_be_bytes([r.byte(), r.byte()])
    }
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_be_bytes());
    }
}

impl Field for u32 {
    fn read(r: &mut Reader<'_>) -> Self {
        u32::from_be_bytes([r.byte(), r.byte(), r.byte(), r.byte()])
    }
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_be_bytes());
    }
}

/// Bytes: a length octet, then that many bytes (fewer if the input ends).
impl Field for Vec<u8> {
    fn read(r: &mut Reader<'_>) -> Self {
        let n = usize::from(r.byte());
        r.take(n).to_vec()
    }
    fn write(&self, out: &mut Vec<u8>) {
        let n = self.len().min(usize::from(u8::MAX));
        out.push(u8::try_from(n).unwrap_or(u8::MAX));
        out.extend(self.iter().take(n));
    }
}

/// A struct of [`Field`]s, read and written in declaration order.
macro_rules! record {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident: $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
        }

        impl Field for $name {
            fn read(r: &mut Reader<'_>) -> Self {
                Self { $($field: Field::read(r),)* }
            }
            fn write(&self, out: &mut Vec<u8>) {
                $(self.$field.write(out);)*
            }
        }
    };
}

/// A 3-bit field as a log interval from −4 to 3, 0 when the bits are 0.
fn log3(bits: u8) -> i8 {
    i8::try_from((bits & 7) ^ 4).unwrap_or(0) - 4
}

record! {
    /// The clock's configuration, as ptp4l.conf options ([`Settings::config_text`]): one
    /// instance with two ports, eth0 and eth1.
    Settings {
        /// Bit 0: eth0 uses P2P (else E2E); 1: eth1 uses P2P; 2: slaveOnly; 3: eth1 is
        /// masterOnly; 4: free_running; 5: software time stamping (else hardware); 6:
        /// path_trace_enabled; 7: eth1 talks to a static unicast peer (192.0.2.1).
        switches: u8,
        /// Bits 0–1: clock_servo kalman, pi, linreg, statime; 2: dataset_comparison
        /// G.8275.x; 3: delay_filter moving_average; 4: tsproc_mode raw; 5:
        /// fault_reset_interval ASAP (else 2^1 s); 6: ignore_transport_specific; 7:
        /// step_threshold 20 µs.
        servo: u8,
        /// priority1.
        priority_1: u8,
        /// priority2.
        priority_2: u8,
        /// clockClass.
        clock_class: u8,
        /// domainNumber, modulo 128.
        domain: u8,
        /// Bits 0–2: logSyncInterval, 3–5: logAnnounceInterval (each −4..3, 0 for 0); 6–7:
        /// announceReceiptTimeout − 3.
        intervals: u8,
        /// Bits 0–2: logMinDelayReqInterval, 3–5: logMinPdelayReqInterval (as above); 6–7:
        /// eth1's G.8275.portDS.localPriority (128, 1, 200, 255).
        delay_intervals: u8,
        /// Bits 0–1: max_frequency (900000000, 100000, 1000, 10 ppb); 2–3:
        /// servo_offset_threshold (0, 100, 1000, 1000000 ns); 4–5: servo_num_offset_values
        /// (10, 1, 3, 0); 6–7: delay_filter_length (10, 1, 4, 1024).
        limits: u8,
        /// Bits 0–3: transportSpecific; 4–7: maxStepsRemoved − 1 (0: 255).
        sdo: u8,
    }
}

impl Settings {
    fn switch(&self, bit: u8) -> bool {
        self.switches & (1 << bit) != 0
    }

    /// Whether port `i` (0 or 1) uses the peer delay mechanism.
    pub fn p2p(&self, i: usize) -> bool {
        self.switch(if i == 0 { 0 } else { 1 })
    }

    /// Whether the clock is slaveOnly.
    pub fn slave_only(&self) -> bool {
        self.switch(2)
    }

    /// Whether port `i` is masterOnly (only eth1 can be).
    pub fn master_only(&self, i: usize) -> bool {
        i == 1 && self.switch(3)
    }

    /// Whether the clock is free running (measured, never adjusted).
    pub fn free_running(&self) -> bool {
        self.switch(4)
    }

    /// Whether Announce messages carry a path trace.
    pub fn path_trace(&self) -> bool {
        self.switch(6)
    }

    /// Whether the servo is statime's Kalman filter (which bounds the frequency itself).
    pub fn statime(&self) -> bool {
        self.servo & 3 == 3
    }

    /// max_frequency in ppb.
    pub fn max_frequency(&self) -> f64 {
        [900_000_000.0, 100_000.0, 1000.0, 10.0]
            .get(usize::from(self.limits & 3))
            .copied()
            .unwrap_or(900_000_000.0)
    }

    /// The ptp4l.conf text these settings stand for.
    pub fn config_text(&self) -> String {
        let servo = ["kalman", "pi", "linreg", "statime"]
            .get(usize::from(self.servo & 3))
            .copied()
            .unwrap_or("kalman");
        let bit = |byte: u8, n: u8| u8::from(byte & (1 << n) != 0);
        let pick = |values: &[u32], bits: u8| values.get(usize::from(bits & 3)).copied();
        let mut t = String::from("[global]\n");
        let mut line = |key: &str, value: &dyn core::fmt::Display| {
            let _ = writeln!(t, "{key} {value}");
        };
        line("slaveOnly", &bit(self.switches, 2));
        line("free_running", &bit(self.switches, 4));
        let stamping = if self.switch(5) {
            "software"
        } else {
            "hardware"
        };
        line("time_stamping", &stamping);
        line("path_trace_enabled", &bit(self.switches, 6));
        line("clock_servo", &servo);
        let comparison = if self.servo & 4 != 0 {
            "G.8275.x"
        } else {
            "ieee1588"
        };
        line("dataset_comparison", &comparison);
        let filter = if self.servo & 8 != 0 {
            "moving_average"
        } else {
            "moving_median"
        };
        line("delay_filter", &filter);
        let tsproc = if self.servo & 16 != 0 {
            "raw"
        } else {
            "filter"
        };
        line("tsproc_mode", &tsproc);
        let reset = if self.servo & 32 != 0 { "ASAP" } else { "1" };
        line("fault_reset_interval", &reset);
        line("ignore_transport_specific", &bit(self.servo, 6));
        let step = if self.servo & 128 != 0 {
            "0.00002"
        } else {
            "0"
        };
        line("step_threshold", &step);
        line("priority1", &self.priority_1);
        line("priority2", &self.priority_2);
        line("clockClass", &self.clock_class);
        line("domainNumber", &(self.domain % 128));
        line("logSyncInterval", &log3(self.intervals));
        line("logAnnounceInterval", &log3(self.intervals >> 3));
        line("announceReceiptTimeout", &(3 + (self.intervals >> 6)));
        line("logMinDelayReqInterval", &log3(self.delay_intervals));
        line("logMinPdelayReqInterval", &log3(self.delay_intervals >> 3));
        line("max_frequency", &self.max_frequency());
        let threshold = pick(&[0, 100, 1000, 1_000_000], self.limits >> 2);
        line("servo_offset_threshold", &threshold.unwrap_or(0));
        let values = pick(&[10, 1, 3, 0], self.limits >> 4);
        line("servo_num_offset_values", &values.unwrap_or(10));
        let length = pick(&[10, 1, 4, 1024], self.limits >> 6);
        line("delay_filter_length", &length.unwrap_or(10));
        line("transportSpecific", &format!("{:#x}", self.sdo & 0x0f));
        let steps = match self.sdo >> 4 {
            0 => 255,
            n => n + 1,
        };
        line("maxStepsRemoved", &steps);
        if self.switch(7) {
            t.push_str("[unicast_master_table]\ntable_id 1\nUDPv4 192.0.2.1\n");
        }
        for (i, name) in ["eth0", "eth1"].iter().enumerate() {
            let _ = writeln!(t, "[{name}]");
            let mechanism = if self.p2p(i) { "P2P" } else { "E2E" };
            let _ = writeln!(t, "delay_mechanism {mechanism}");
            if i == 1 {
                let _ = writeln!(t, "masterOnly {}", u8::from(self.master_only(1)));
                let priority = pick(&[128, 1, 200, 255], self.delay_intervals >> 6);
                let _ = writeln!(t, "G.8275.portDS.localPriority {}", priority.unwrap_or(128));
                if self.switch(7) {
                    t.push_str("unicast_master_table 1\n");
                }
            }
        }
        t
    }
}

record! {
    /// True time passes by (mantissa + 1) · 2^(exponent mod 36) ns.
    Advance { exponent: u8, mantissa: u8 }
}

record! {
    /// The local clock jumps (someone else set it) by (mantissa + 1) · 2^(exponent mod 48)
    /// ns, backwards when the exponent's top bit is set.
    Jump { exponent: u8, mantissa: u8 }
}

record! {
    /// A port: `port mod 4` is eth0, eth1, index 2 (no such port) or index 65535.
    PortSpec { port: u8 }
}

record! {
    /// A timer of any port and kind (`kind mod 7`, in `TimerKind::ALL` order), armed or not.
    TimerSpec { port: PortSpec, kind: u8 }
}

record! {
    /// The transmit time stamp of one of the tags the engine handed out and that has not been
    /// stamped yet (`pick` modulo their number): the local time it was sent plus `delay` µs.
    TxStampSpec { pick: u8, delay: u8 }
}

record! {
    /// A transmit time stamp for tag number `tag` (tags are handed out from 1 up, so small
    /// numbers hit real ones, stamped or not, of any port) on `port`, `delay` µs after now.
    TxStampAt { port: PortSpec, tag: u8, delay: u8 }
}

record! {
    /// The time stamp of one of the unstamped tags (`pick` modulo their number) is lost.
    TxLostSpec { pick: u8 }
}

record! {
    /// The time stamp of tag number `tag` on `port` is lost.
    TxLostAt { port: PortSpec, tag: u8 }
}

record! {
    /// What the runtime tells with a received message: `stamp` 255 is no receive time
    /// stamp, else the local time `stamp` µs ago; `source mod 4`: no address, UDPv4
    /// 192.0.2.1 (eth1's unicast peer), UDPv4 198.51.100.7, UDPv6 2001:db8::1.
    RxSpec { stamp: u8, source: u8 }
}

record! {
    /// A message header.
    HeaderSpec {
        /// sourcePortIdentity, an identity selector (`mod 8`, as every identity in the
        /// format): peers A, B, C (port 1), the current parent, the receiving port itself,
        /// peer A port 2, the all-ones identity, peer D.
        source: u8,
        /// Bit 0: twoStepFlag, 1: unicastFlag, 2: alternateMasterFlag, 3: ptpTimescale, 4:
        /// currentUtcOffsetValid, 5: timeTraceable, 6: frequencyTraceable, 7: leap61.
        flags: u8,
        /// sequenceId, when `misc` bit 2 asks for it; else the one that fits (the next of
        /// the sender, or the one of the message answered or followed up).
        seq: u16,
        /// correctionField: `correction · |correction|` ns (up to ±1.07 s).
        correction: i16,
        /// Bit 0: another domain; 1: another majorSdoId; 2: `seq` as given; 3: time stamps
        /// from `offset` as raw seconds (else from the time model); 4–7: logMessageInterval
        /// (the nibble as a signed number; 8 is 0x7F, unspecified).
        misc: u8,
    }
}

record! {
    /// An event's time stamp: in the time model, the peer's true time `offset` ns before
    /// (Sync) or after (answers) the moment it stands for; raw, `offset` seconds.
    TimeSpec { offset: u32 }
}

record! {
    /// An answer to one of our requests (Delay_Resp, Pdelay_Resp, Pdelay_Resp_Follow_Up).
    ReplySpec {
        /// requestingPortIdentity: 0 is the receiving port (the right one), else an
        /// identity selector (minus one).
        requester: u8,
        /// The answer's time stamp, after the request's transmission.
        time: TimeSpec,
    }
}

record! {
    /// An Announce body.
    AnnounceSpec {
        /// grandmasterIdentity: 0 is the sender's clock, else an identity selector minus one.
        grandmaster: u8,
        /// grandmasterPriority1.
        priority_1: u8,
        /// grandmasterPriority2.
        priority_2: u8,
        /// grandmasterClockQuality.clockClass.
        clock_class: u8,
        /// grandmasterClockQuality.clockAccuracy.
        clock_accuracy: u8,
        /// grandmasterClockQuality.offsetScaledLogVariance.
        variance: u16,
        /// stepsRemoved.
        steps_removed: u8,
        /// currentUtcOffset.
        utc_offset: i16,
        /// timeSource.
        time_source: u8,
        /// A PATH_TRACE TLV of these identity selectors, if not empty.
        path: Vec<u8>,
    }
}

record! {
    /// A management request body and its TLV.
    ManagementSpec {
        /// actionField, `mod 5`.
        action: u8,
        /// managementId: `ManagementId::ALL[id]`, or 0xC000 + id past its end.
        id: u8,
        /// targetPortIdentity's clock (`mod 3`): all clocks, this clock, peer A.
        target: u8,
        /// targetPortIdentity's port number; 255 is all ports.
        target_port: u8,
        /// startingBoundaryHops and boundaryHops.
        hops: u8,
        /// The TLV's data field (an odd length fails to encode, and the input is skipped).
        data: Vec<u8>,
    }
}

/// The body of a built message: `kind mod 9` selects the message type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum BodySpec {
    /// Announce.
    Announce(AnnounceSpec),
    /// Sync (one-step unless twoStepFlag): origin time.
    Sync(TimeSpec),
    /// Follow_Up: precise origin time of the Sync it follows.
    FollowUp(TimeSpec),
    /// Delay_Req (to a master port).
    DelayReq(TimeSpec),
    /// Delay_Resp to our Delay_Req.
    DelayResp(ReplySpec),
    /// Pdelay_Req (to a P2P port).
    PdelayReq(TimeSpec),
    /// Pdelay_Resp to our Pdelay_Req.
    PdelayResp(ReplySpec),
    /// Pdelay_Resp_Follow_Up.
    PdelayRespFollowUp(ReplySpec),
    /// Management request from the network.
    Management(ManagementSpec),
}

impl Field for BodySpec {
    fn read(r: &mut Reader<'_>) -> Self {
        match r.byte() % 9 {
            0 => Self::Announce(Field::read(r)),
            1 => Self::Sync(Field::read(r)),
            2 => Self::FollowUp(Field::read(r)),
            3 => Self::DelayReq(Field::read(r)),
            4 => Self::DelayResp(Field::read(r)),
            5 => Self::PdelayReq(Field::read(r)),
            6 => Self::PdelayResp(Field::read(r)),
            7 => Self::PdelayRespFollowUp(Field::read(r)),
            _ => Self::Management(Field::read(r)),
        }
    }
    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Self::Announce(b) => write_tagged(out, 0, b),
            Self::Sync(b) => write_tagged(out, 1, b),
            Self::FollowUp(b) => write_tagged(out, 2, b),
            Self::DelayReq(b) => write_tagged(out, 3, b),
            Self::DelayResp(b) => write_tagged(out, 4, b),
            Self::PdelayReq(b) => write_tagged(out, 5, b),
            Self::PdelayResp(b) => write_tagged(out, 6, b),
            Self::PdelayRespFollowUp(b) => write_tagged(out, 7, b),
            Self::Management(b) => write_tagged(out, 8, b),
        }
    }
}

fn write_tagged(out: &mut Vec<u8>, tag: u8, value: &impl Field) {
    out.push(tag);
    value.write(out);
}

record! {
    /// A well-formed message built from fields, received on `port`, with one byte of the
    /// encoding XORed with `corrupt_xor` (at `corrupt_at`, if inside) when that is not 0.
    ReceiveSpec {
        port: PortSpec,
        rx: RxSpec,
        header: HeaderSpec,
        body: BodySpec,
        corrupt_at: u8,
        corrupt_xor: u8,
    }
}

impl Default for BodySpec {
    fn default() -> Self {
        Self::Sync(TimeSpec::default())
    }
}

record! {
    /// Arbitrary bytes received on `port`.
    RawSpec { port: PortSpec, rx: RxSpec, bytes: Vec<u8> }
}

record! {
    /// One of the engine's recent transmissions (`pick` modulo how many are kept, newest
    /// first) received on `port`: a loop, or the boundary clock's two ports on one network.
    ReflectSpec { pick: u8, port: PortSpec, rx: RxSpec }
}

record! {
    /// Management ENABLE_PORT / DISABLE_PORT: `enabled` odd enables.
    EnableSpec { port: PortSpec, enabled: u8 }
}

record! {
    /// `Instance::set_priorities`.
    PrioritiesSpec { priority_1: u8, priority_2: u8 }
}

record! {
    /// `Instance::set_grandmaster_settings`; `flags` are the time flags' low octet.
    GrandmasterSpec {
        clock_class: u8,
        clock_accuracy: u8,
        variance: u16,
        utc_offset: i16,
        flags: u8,
        time_source: u8,
    }
}

record! {
    /// A request on the local management socket, built from fields.
    LocalManagementSpec { header: HeaderSpec, body: ManagementSpec }
}

record! {
    /// The runtime's I/O on `port` failed: `fault mod 4` in `Fault` declaration order.
    FaultSpec { port: PortSpec, fault: u8 }
}

/// One input to the engine (or to the world around it); the opcode octet is taken
/// `mod Op::COUNT`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// True time passes (no timer fires on its own: see [`Op::FireNextTimer`]).
    Advance(Advance),
    /// The local clock jumps.
    Jump(Jump),
    /// The armed timer with the earliest deadline expires; time moves to its deadline.
    FireNextTimer,
    /// A timer expires now, armed or not.
    FireTimer(TimerSpec),
    /// A transmit time stamp of an unstamped tag.
    TxStamp(TxStampSpec),
    /// A transmit time stamp for any tag and port.
    TxStampAt(TxStampAt),
    /// An unstamped tag's time stamp is lost.
    TxLost(TxLostSpec),
    /// Any tag's time stamp is lost.
    TxLostAt(TxLostAt),
    /// A message built from fields arrives.
    Receive(ReceiveSpec),
    /// Arbitrary bytes arrive.
    ReceiveRaw(RawSpec),
    /// One of our own messages comes back.
    Reflect(ReflectSpec),
    /// A port is enabled or disabled.
    EnablePort(EnableSpec),
    /// New priorities.
    SetPriorities(PrioritiesSpec),
    /// New grandmaster settings.
    SetGrandmaster(GrandmasterSpec),
    /// A request on the local management socket.
    LocalManagement(LocalManagementSpec),
    /// Arbitrary bytes on the local management socket.
    LocalManagementRaw(Vec<u8>),
    /// A port's I/O failed.
    PortFault(FaultSpec),
}

impl Op {
    /// The number of opcodes.
    pub const COUNT: u8 = 17;

    /// Reads the next op.
    pub fn read(r: &mut Reader<'_>) -> Self {
        match r.byte() % Self::COUNT {
            0 => Self::Advance(Field::read(r)),
            1 => Self::Jump(Field::read(r)),
            2 => Self::FireNextTimer,
            3 => Self::FireTimer(Field::read(r)),
            4 => Self::TxStamp(Field::read(r)),
            5 => Self::TxStampAt(Field::read(r)),
            6 => Self::TxLost(Field::read(r)),
            7 => Self::TxLostAt(Field::read(r)),
            8 => Self::Receive(Field::read(r)),
            9 => Self::ReceiveRaw(Field::read(r)),
            10 => Self::Reflect(Field::read(r)),
            11 => Self::EnablePort(Field::read(r)),
            12 => Self::SetPriorities(Field::read(r)),
            13 => Self::SetGrandmaster(Field::read(r)),
            14 => Self::LocalManagement(Field::read(r)),
            15 => Self::LocalManagementRaw(Field::read(r)),
            _ => Self::PortFault(Field::read(r)),
        }
    }

    /// Appends the op's encoding to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        match self {
            Self::Advance(v) => write_tagged(out, 0, v),
            Self::Jump(v) => write_tagged(out, 1, v),
            Self::FireNextTimer => out.push(2),
            Self::FireTimer(v) => write_tagged(out, 3, v),
            Self::TxStamp(v) => write_tagged(out, 4, v),
            Self::TxStampAt(v) => write_tagged(out, 5, v),
            Self::TxLost(v) => write_tagged(out, 6, v),
            Self::TxLostAt(v) => write_tagged(out, 7, v),
            Self::Receive(v) => write_tagged(out, 8, v),
            Self::ReceiveRaw(v) => write_tagged(out, 9, v),
            Self::Reflect(v) => write_tagged(out, 10, v),
            Self::EnablePort(v) => write_tagged(out, 11, v),
            Self::SetPriorities(v) => write_tagged(out, 12, v),
            Self::SetGrandmaster(v) => write_tagged(out, 13, v),
            Self::LocalManagement(v) => write_tagged(out, 14, v),
            Self::LocalManagementRaw(v) => write_tagged(out, 15, v),
            Self::PortFault(v) => write_tagged(out, 16, v),
        }
    }
}

/// The bytes of an input: `settings`, then `ops`.
pub fn encode(settings: &Settings, ops: &[Op]) -> Vec<u8> {
    let mut out = Vec::new();
    settings.write(&mut out);
    for op in ops {
        op.write(&mut out);
    }
    out
}

/// Decodes an input.
pub fn decode(data: &[u8]) -> (Settings, Vec<Op>) {
    let mut r = Reader::new(data);
    let settings = Settings::read(&mut r);
    let mut ops = Vec::new();
    while !r.is_empty() {
        ops.push(Op::read(&mut r));
    }
    (settings, ops)
}
