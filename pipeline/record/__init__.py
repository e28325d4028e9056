"""Record: the completion record (Lembar Penyelesaian Pekerjaan), its signature and checks."""
