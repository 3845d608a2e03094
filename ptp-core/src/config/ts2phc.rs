//! ts2phc options.
