"""What a member sees while the database or the tab state store cannot be reached (a restart, a
failover): try again."""

MESSAGES = {
    "outage.database": ("Data hub sedang tidak dapat dijangkau. Coba lagi sebentar lagi.",
                        "The hub's data cannot be reached right now. Please try again in a moment."),
    "outage.state": ("Permintaan ini tidak selesai karena hub sedang sibuk atau tersambung ulang. Coba lagi.",
                     "This did not finish: the hub is busy or reconnecting. Please try again."),
}
