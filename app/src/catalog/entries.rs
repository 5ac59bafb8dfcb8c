use super::EventType;
pub static ENTRIES: &[EventType] = &[];
