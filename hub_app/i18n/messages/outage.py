"""What a member sees while the database cannot be reached (a restart, a failover): try again."""

MESSAGES = {
    "outage.database": ("Data hub sedang tidak dapat dijangkau. Coba lagi sebentar lagi.",
                        "The hub's data cannot be reached right now. Please try again in a moment."),
}
