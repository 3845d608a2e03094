//! The exchange with the agent over its Unix datagram socket, as pmc does it: bind a socket
//! of our own (where the answers come), send each request, print every answer that arrives,
//! and after the last command wait until nothing has come for 100 ms.

use std::io::{self, BufRead, Write};
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::time::Duration;

use ptp_core::time::LogInterval;
use ptp_core::wire::management::{Action, ManagementData, ManagementTlv};
use ptp_core::wire::{
    Body, ClockIdentity, Header, Management, Message, MessageType, PortIdentity, Tlv, TlvWriter,
    WireError,
};

use super::cli::Options;
use super::command::{self, Command, Request};
use super::render::render;

/// How long pmc waits for more answers once it has nothing more to send.
pub const QUIET: Duration = Duration::from_millis(100);

/// Largest message read.
const MESSAGE_MAX: usize = 1500;

/// A client socket bound at a path, removed again when dropped.
#[derive(Debug)]
pub struct Client {
    socket: UnixDatagram,
    path: PathBuf,
    server: PathBuf,
    options: Options,
    source: PortIdentity,
    target: PortIdentity,
    sequence_id: u16,
}

impl Client {
    /// Binds the client socket (`-i`, else `/var/run/pmc.<pid>`) for the server in `options`.
    pub fn open(options: Options) -> io::Result<Self> {
        let pid = std::process::id();
        let path = options
            .client
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("/var/run/pmc.{pid}")));
        let _ = std::fs::remove_file(&path);
        let socket = UnixDatagram::bind(&path)?;
        Ok(Self {
            socket,
            path,
            server: options.server.clone(),
            // Over the local socket pmc is clock 0 and its port number is its pid.
            source: PortIdentity {
                clock_identity: ClockIdentity([0; 8]),
                port_number: (pid & 0xffff) as u16,
            },
            target: PortIdentity::ALL,
            sequence_id: 0,
            options,
        })
    }

    /// Runs the commands on the command line, or those read from `input` when there are
    /// none, writing what pmc writes to `out` and `err`.
    pub fn run(
        &mut self,
        input: &mut dyn BufRead,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> io::Result<()> {
        if self.options.commands.is_empty() {
            let mut line = String::new();
            loop {
                line.clear();
                if input.read_line(&mut line)? == 0 {
                    break;
                }
                if line.len() < 2 {
                    continue;
                }
                let text = line.strip_suffix('\n').unwrap_or(&line).to_owned();
                self.command(&text, out, err)?;
                // Answers are shown before the next line is read.
                self.receive(Some(QUIET), out)?;
            }
        } else {
            for text in self.options.commands.clone() {
                self.command(&text, out, err)?;
                self.receive(None, out)?;
            }
        }
        self.receive(Some(QUIET), out)
    }

    /// Does one command.
    fn command(&mut self, text: &str, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<()> {
        let parsed = command::parse(text);
        if let Some(line) = parsed.sending_line() {
            writeln!(out, "{line}")?;
        }
        match parsed {
            Command::Send(request) => {
                if let Err(e) = self.send(&request) {
                    writeln!(err, "failed to send message: {e}")?;
                }
            }
            Command::Refuse(_, _, message) => writeln!(err, "{message}")?,
            Command::Reply(_, _, message) | Command::Say(message) => writeln!(out, "{message}")?,
            Command::Target(target) => self.target = target,
            Command::Help => out.write_all(command::help().as_bytes())?,
            Command::Bad => writeln!(err, "bad command: {text}")?,
        }
        out.flush()
    }

    /// Encodes and sends one request.
    fn send(&mut self, request: &Request) -> io::Result<()> {
        let bytes = self.encode(request).map_err(io::Error::other)?;
        self.sequence_id = self.sequence_id.wrapping_add(1);
        self.socket.send_to(&bytes, &self.server)?;
        Ok(())
    }

    /// The request as pmc builds it.
    fn encode(&self, request: &Request) -> Result<Vec<u8>, WireError> {
        let placeholder = [0u8; 512];
        let (action, id, data) = match request {
            Request::Get(id) => {
                let data = if self.options.zero_length_gets {
                    ManagementData::Empty
                } else {
                    ManagementData::GetPlaceholder(
                        placeholder.get(..id.get_data_len()).unwrap_or_default(),
                    )
                };
                (Action::Get, *id, data)
            }
            Request::Set(id, data) => (Action::Set, *id, **data),
        };
        let mut data_buf = [0u8; 512];
        let tlv = ManagementTlv::build(id, &data, &mut data_buf)?;
        let mut suffix_buf = [0u8; 600];
        let mut w = TlvWriter::new(&mut suffix_buf);
        w.push(&Tlv::Management(tlv))?;
        let message = Message {
            header: Header {
                major_sdo_id: self.options.transport_specific,
                domain_number: self.options.domain,
                source_port_identity: self.source,
                sequence_id: self.sequence_id,
                control_field: MessageType::Management.control_field(),
                log_message_interval: LogInterval(0x7f),
                ..Header::default()
            },
            body: Body::Management(Management {
                target_port_identity: self.target,
                starting_boundary_hops: self.options.boundary_hops,
                boundary_hops: self.options.boundary_hops,
                action,
            }),
            suffix: w.finish()?,
        };
        let mut buf = [0u8; MESSAGE_MAX];
        let n = message.encode(&mut buf)?;
        Ok(buf.get(..n).unwrap_or_default().to_vec())
    }

    /// Prints what arrives: what is already there (`quiet` None), or until nothing has come
    /// for `quiet`.
    fn receive(&self, quiet: Option<Duration>, out: &mut dyn Write) -> io::Result<()> {
        self.socket.set_nonblocking(quiet.is_none())?;
        self.socket.set_read_timeout(quiet)?;
        let mut buf = [0u8; MESSAGE_MAX];
        loop {
            let n = match self.socket.recv(&mut buf) {
                Ok(n) => n,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return Ok(())
                }
                Err(e) => return Err(e),
            };
            if let Some(text) = buf.get(..n).and_then(render) {
                writeln!(out, "{text}")?;
                out.flush()?;
            }
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
