//! Lookup-payload inspection for the edge worker and the page's log check.
