"""Progress reports: the numbers (`progress`) and the HTML report with plots (`html`)."""
