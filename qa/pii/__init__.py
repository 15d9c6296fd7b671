"""Personal data in call transcripts: detection on what the recogniser wrote (`detect`), the spoken number
forms it rests on (`spoken`), and redaction of the transcript and the audio (`redact`)."""
