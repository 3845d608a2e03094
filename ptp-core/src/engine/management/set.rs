//! The SETs the local management socket accepts, as ptp4l accepts them on its own:
//! PRIORITY1, PRIORITY2 and GRANDMASTER_SETTINGS_NP — the last is how a grandmaster's
//! clockClass, UTC offset and time properties change at run time (GNSS lost and found,
//! holdover). Any other SET is NOT_SUPPORTED.

use super::super::action::ActionSink;
use super::super::datasets::TimePropertiesDs;
use super::super::instance::Instance;
use crate::time::Time;
use crate::wire::management::{ManagementData, ManagementErrorId};
use crate::wire::Flags;

impl Instance {
    /// Carries out a SET from the local socket; its effects (a new BMCA decision) go to
    /// `sink`.
    pub(super) fn local_set(
        &mut self,
        data: &ManagementData<'_>,
        now: Time,
        sink: &mut dyn ActionSink,
    ) -> Result<(), ManagementErrorId> {
        match *data {
            ManagementData::Priority1(priority_1) => {
                let priority_2 = self.default_ds.priority_2;
                self.set_priorities(priority_1, priority_2, now, sink);
            }
            ManagementData::Priority2(priority_2) => {
                let priority_1 = self.default_ds.priority_1;
                self.set_priorities(priority_1, priority_2, now, sink);
            }
            ManagementData::GrandmasterSettingsNp(gm) => {
                let time_properties = TimePropertiesDs::from_announce(
                    Flags(u16::from(gm.time_flags.0)),
                    gm.current_utc_offset,
                    gm.time_source,
                );
                self.set_grandmaster_settings(gm.clock_quality, time_properties, now, sink);
            }
            _ => return Err(ManagementErrorId::NOT_SUPPORTED),
        }
        Ok(())
    }
}
