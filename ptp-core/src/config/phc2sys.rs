//! phc2sys options.
