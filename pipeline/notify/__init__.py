"""E-mail to the people something waits for: "now waiting" when a step starts waiting for a
role, a reminder when it passes its standard minutes (to them and to the Katimker), and for a
deferred review of the expedited path a reminder and an escalation to the head when overdue."""
