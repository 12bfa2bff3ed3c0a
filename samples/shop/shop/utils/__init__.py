"""Cross-cutting helpers with no business state."""
