"""Calendar answers read back from the organiser's mailbox over IMAP (iTIP REPLY and COUNTER)."""
