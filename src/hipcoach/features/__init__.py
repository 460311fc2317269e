"""Pure feature functions: filters, body frame, joint angles and compensation measures."""
