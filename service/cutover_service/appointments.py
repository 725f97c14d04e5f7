"""The demo data behind the `search_appointments` tool: fixed, in memory, deterministic."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class Appointment(BaseModel):
    appointment_id: str
    patient_name: str
    date: str
    time: str
    clinician: str
    department: str


APPOINTMENTS: tuple[Appointment, ...] = (
    Appointment(
        appointment_id="apt-1001",
        patient_name="Ada Lovelace",
        date="2030-03-04",
        time="09:00",
        clinician="Dr. Grace Hopper",
        department="cardiology",
    ),
    Appointment(
        appointment_id="apt-1002",
        patient_name="Ada Lovelace",
        date="2030-03-18",
        time="14:30",
        clinician="Dr. Grace Hopper",
        department="cardiology",
    ),
    Appointment(
        appointment_id="apt-1003",
        patient_name="Alan Turing",
        date="2030-03-04",
        time="10:15",
        clinician="Dr. Barbara Liskov",
        department="neurology",
    ),
    Appointment(
        appointment_id="apt-1004",
        patient_name="Katherine Johnson",
        date="2030-03-05",
        time="11:00",
        clinician="Dr. Edsger Dijkstra",
        department="orthopaedics",
    ),
    Appointment(
        appointment_id="apt-1005",
        patient_name="Alan Kay",
        date="2030-03-06",
        time="16:45",
        clinician="Dr. Barbara Liskov",
        department="neurology",
    ),
    Appointment(
        appointment_id="apt-1006",
        patient_name="Margaret Hamilton",
        date="2030-03-04",
        time="08:30",
        clinician="Dr. Donald Knuth",
        department="dermatology",
    ),
)


def search(patient_name: str, date: str | None = None) -> list[Appointment]:
    """Appointments whose patient name contains `patient_name` (case-insensitive), on `date` if given.

    Sorted by date and time. Raises ValueError for an empty name or a date that is not YYYY-MM-DD.
    """
    needle = patient_name.strip().casefold()
    if not needle:
        raise ValueError("patient_name must not be empty")
    if date is not None:
        try:
            date = dt.date.fromisoformat(date.strip()).isoformat()
        except ValueError:
            raise ValueError(f"date {date!r} is not in YYYY-MM-DD form") from None
    found = [
        appointment
        for appointment in APPOINTMENTS
        if needle in appointment.patient_name.casefold() and (date is None or appointment.date == date)
    ]
    return sorted(found, key=lambda appointment: (appointment.date, appointment.time, appointment.appointment_id))
