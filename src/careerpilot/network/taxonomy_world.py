"""Industries, cities and schools: the world the sample network lives in.

Kept apart from ``taxonomy`` only because the data is long; import from ``taxonomy``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CITY_LIST", "INDUSTRY_LIST", "UNIVERSITIES", "City", "Industry"]


@dataclass(frozen=True, slots=True)
class Industry:
    name: str
    core_families: tuple[str, ...]  # the families this industry hires most
    specialties: tuple[str, ...]
    offerings: tuple[str, ...]  # what a company in it sells: "software for ..."
    customers: tuple[str, ...]
    name_words: tuple[str, ...]  # words company names in this industry use
    tld: str = "com"


@dataclass(frozen=True, slots=True)
class City:
    name: str
    region: str  # state or province; empty where people do not name one
    country: str
    weight: float  # how many members and companies live there, relatively

    @property
    def label(self) -> str:
        return ", ".join(p for p in (self.name, self.region, self.country) if p)


INDUSTRY_LIST: tuple[Industry, ...] = (
    Industry(
        "Software & Internet",
        (
            "software_engineering",
            "data_science",
            "product_management",
            "design",
            "customer_success",
            "cybersecurity",
        ),
        (
            "SaaS",
            "Cloud Infrastructure",
            "Developer Tools",
            "Collaboration Software",
            "Data Platforms",
            "API Management",
            "Mobile Apps",
            "Machine Learning",
        ),
        (
            "a collaboration platform for distributed teams",
            "developer tools for API testing",
            "a data platform for product analytics",
            "workflow automation software",
            "a mobile app for personal finance",
            "cloud infrastructure for small businesses",
        ),
        ("product teams", "mid-market companies", "developers", "enterprise IT teams"),
        ("Labs", "Software", "Cloud", "Systems", "Technologies", "AI", "Data"),
        "io",
    ),
    Industry(
        "Financial Services",
        ("finance", "software_engineering", "data_science", "cybersecurity", "sales"),
        (
            "Payments",
            "Wealth Management",
            "Lending",
            "Banking",
            "Risk Analytics",
            "Investment Research",
            "Treasury",
        ),
        (
            "digital banking for small businesses",
            "payment processing",
            "wealth management",
            "consumer lending",
            "investment research tools",
        ),
        ("small businesses", "retail investors", "community banks", "asset managers"),
        ("Capital", "Financial", "Bank", "Partners", "Payments", "Advisors"),
    ),
    Industry(
        "Hospitals & Health Care",
        ("healthcare", "operations"),
        (
            "Acute Care",
            "Pediatrics",
            "Oncology",
            "Telehealth",
            "Emergency Medicine",
            "Primary Care",
            "Behavioral Health",
        ),
        (
            "acute and primary care across several hospitals",
            "pediatric care",
            "outpatient clinics and telehealth",
            "cancer treatment and research",
        ),
        ("patients and families", "local communities", "referring physicians"),
        ("Health", "Medical Center", "Health System", "Care", "Clinic"),
    ),
    Industry(
        "Retail & E-commerce",
        ("marketing", "operations", "software_engineering", "sales"),
        (
            "E-commerce",
            "Omnichannel Retail",
            "Merchandising",
            "Direct-to-Consumer",
            "Marketplace",
            "Loyalty Programs",
        ),
        (
            "outdoor gear online and in stores",
            "a home goods marketplace",
            "direct-to-consumer skincare",
            "grocery delivery",
            "sustainable apparel",
        ),
        ("shoppers", "independent brands", "families", "outdoor enthusiasts"),
        ("Goods", "Supply Co.", "Market", "Outfitters", "Brands", "Shop"),
    ),
    Industry(
        "Manufacturing",
        ("mechanical_engineering", "operations"),
        (
            "Industrial Automation",
            "Precision Machining",
            "Electronics Manufacturing",
            "Packaging",
            "Robotics",
            "Quality Systems",
        ),
        (
            "precision components for aerospace",
            "industrial robots",
            "packaging equipment",
            "electronic assemblies",
            "HVAC systems",
        ),
        ("OEMs", "aerospace suppliers", "food producers", "industrial customers"),
        ("Industries", "Manufacturing", "Works", "Dynamics", "Robotics", "Fabrication"),
    ),
    Industry(
        "Education",
        ("education",),
        (
            "K-12 Education",
            "Higher Education",
            "Online Learning",
            "STEM Programs",
            "Special Education",
            "Adult Learning",
        ),
        (
            "K-12 education",
            "online courses for working adults",
            "STEM programs",
            "tutoring and test preparation",
            "college preparatory education",
        ),
        ("students", "parents", "school districts", "adult learners"),
        ("Academy", "Learning", "School", "Institute", "Education"),
    ),
    Industry(
        "Construction & Engineering",
        ("civil_engineering", "mechanical_engineering", "operations"),
        (
            "Infrastructure",
            "Commercial Construction",
            "Structural Engineering",
            "Water Resources",
            "Transportation",
            "Design-Build",
        ),
        (
            "infrastructure design and construction",
            "commercial buildings",
            "water and wastewater projects",
            "transportation engineering",
        ),
        ("municipalities", "developers", "state agencies", "utilities"),
        ("Builders", "Engineering", "Construction", "Associates", "Structures", "Group"),
    ),
    Industry(
        "Media & Entertainment",
        ("marketing", "design", "software_engineering"),
        ("Streaming", "Publishing", "Podcasts", "Digital Media", "Film Production", "Advertising"),
        (
            "a streaming service for documentaries",
            "digital news",
            "podcasts",
            "branded video content",
            "music publishing",
        ),
        ("audiences", "advertisers", "creators", "subscribers"),
        ("Media", "Studios", "Pictures", "Network", "Audio", "Press"),
    ),
    Industry(
        "Telecommunications",
        ("software_engineering", "cybersecurity", "customer_success", "sales"),
        (
            "5G",
            "Fiber Broadband",
            "Network Infrastructure",
            "IoT Connectivity",
            "Unified Communications",
        ),
        ("fiber broadband", "5G network services", "IoT connectivity", "business phone systems"),
        ("households", "enterprises", "municipalities", "device makers"),
        ("Telecom", "Networks", "Communications", "Connect", "Wireless"),
    ),
    Industry(
        "Logistics & Supply Chain",
        ("operations", "software_engineering", "data_science"),
        (
            "Freight",
            "Last-Mile Delivery",
            "Warehousing",
            "Fleet Management",
            "Freight Forwarding",
            "Cold Chain",
        ),
        (
            "last-mile delivery",
            "freight brokerage",
            "third-party warehousing",
            "cold-chain logistics",
        ),
        ("retailers", "shippers", "manufacturers", "grocers"),
        ("Logistics", "Freight", "Transport", "Express", "Shipping"),
    ),
    Industry(
        "Energy & Utilities",
        ("mechanical_engineering", "civil_engineering", "operations"),
        (
            "Solar",
            "Wind Energy",
            "Grid Modernization",
            "Energy Storage",
            "Utilities",
            "EV Charging",
        ),
        (
            "utility-scale solar",
            "battery storage",
            "EV charging networks",
            "electricity and gas service",
            "wind farm development",
        ),
        ("homeowners", "utilities", "municipalities", "commercial property owners"),
        ("Energy", "Power", "Solar", "Renewables", "Utilities", "Grid"),
    ),
    Industry(
        "Management Consulting",
        ("finance", "data_science", "operations", "human_resources"),
        (
            "Strategy",
            "Digital Transformation",
            "Operations Consulting",
            "Organizational Change",
            "Analytics",
            "Due Diligence",
        ),
        (
            "strategy and operations consulting",
            "digital transformation programs",
            "analytics advisory",
            "organizational change",
        ),
        (
            "Fortune 500 companies",
            "private equity firms",
            "public agencies",
            "growth-stage companies",
        ),
        ("Consulting", "Advisory", "Partners", "Group", "Strategy"),
    ),
    Industry(
        "Biotech & Pharmaceuticals",
        ("data_science", "healthcare", "legal"),
        (
            "Drug Discovery",
            "Clinical Trials",
            "Genomics",
            "Medical Devices",
            "Regulatory Affairs",
            "Biologics",
        ),
        (
            "drug discovery for rare diseases",
            "genomic diagnostics",
            "medical devices",
            "clinical trial services",
        ),
        ("patients", "research hospitals", "pharma partners", "clinicians"),
        ("Bio", "Therapeutics", "Genomics", "Pharma", "Biosciences"),
    ),
    Industry(
        "Government & Public Sector",
        ("civil_engineering", "legal", "cybersecurity"),
        ("Public Works", "Digital Services", "Public Safety", "Transportation", "Public Health"),
        (
            "public works and transportation",
            "digital public services",
            "public health programs",
            "regional planning",
        ),
        ("residents", "local businesses", "state agencies"),
        ("Authority", "Department", "Agency", "Commission", "Office"),
    ),
    Industry(
        "Real Estate",
        ("finance", "sales", "operations"),
        (
            "Commercial Real Estate",
            "Property Management",
            "Residential Brokerage",
            "PropTech",
            "Real Estate Investment",
        ),
        (
            "commercial property management",
            "residential brokerage",
            "real estate investment",
            "coworking spaces",
        ),
        ("tenants", "homebuyers", "investors", "landlords"),
        ("Properties", "Realty", "Real Estate", "Development", "Estates"),
    ),
    Industry(
        "Automotive",
        ("mechanical_engineering", "software_engineering", "operations"),
        (
            "Electric Vehicles",
            "Autonomous Driving",
            "Automotive Parts",
            "Connected Car",
            "Battery Technology",
        ),
        (
            "electric delivery vans",
            "driver-assistance software",
            "automotive parts",
            "battery systems for EVs",
        ),
        ("fleet operators", "automakers", "drivers", "dealers"),
        ("Motors", "Automotive", "Mobility", "EV", "Drive"),
    ),
    Industry(
        "Hospitality & Travel",
        ("operations", "customer_success", "marketing"),
        ("Hotels", "Travel Booking", "Restaurants", "Events", "Vacation Rentals"),
        (
            "boutique hotels",
            "online travel booking",
            "vacation rentals",
            "restaurant groups",
            "corporate events",
        ),
        ("travelers", "diners", "event planners", "hosts"),
        ("Hotels", "Hospitality", "Travel", "Stays", "Resorts", "Trips"),
    ),
    Industry(
        "Insurance",
        ("finance", "data_science", "sales", "customer_success"),
        ("Property & Casualty", "Life Insurance", "Insurtech", "Claims", "Underwriting"),
        ("home and auto insurance", "small-business insurance", "life insurance", "pet insurance"),
        ("policyholders", "small businesses", "brokers", "families"),
        ("Insurance", "Mutual", "Assurance", "Underwriters", "Shield"),
    ),
    Industry(
        "Legal Services",
        ("legal",),
        (
            "Corporate Law",
            "Litigation",
            "Intellectual Property",
            "Employment Law",
            "Legal Technology",
        ),
        (
            "corporate and transactional law",
            "litigation",
            "intellectual property",
            "employment law",
        ),
        ("growth companies", "founders", "public companies", "nonprofits"),
        ("LLP", "Law Group", "Legal", "& Partners"),
    ),
    Industry(
        "Nonprofit",
        ("education", "marketing", "operations"),
        (
            "Community Development",
            "Youth Programs",
            "Fundraising",
            "Climate Advocacy",
            "Food Security",
            "Literacy",
        ),
        (
            "youth literacy programs",
            "food security",
            "climate advocacy",
            "affordable housing",
            "community health",
        ),
        ("families", "volunteers", "donors", "local communities"),
        ("Foundation", "Alliance", "Project", "Fund", "Initiative"),
        "org",
    ),
    Industry(
        "Video Games",
        ("software_engineering", "design", "product_management", "marketing"),
        ("Game Development", "Mobile Games", "Live Operations", "Game Engines", "Esports"),
        (
            "mobile puzzle games",
            "multiplayer strategy games",
            "indie console titles",
            "game engine tooling",
        ),
        ("players", "streamers", "platform partners"),
        ("Games", "Studios", "Interactive", "Entertainment", "Play"),
    ),
)


CITY_LIST: tuple[City, ...] = (
    City("San Francisco", "CA", "United States", 3.0),
    City("New York", "NY", "United States", 3.5),
    City("Seattle", "WA", "United States", 2.2),
    City("Austin", "TX", "United States", 1.8),
    City("Boston", "MA", "United States", 1.8),
    City("Chicago", "IL", "United States", 2.0),
    City("Los Angeles", "CA", "United States", 2.0),
    City("Denver", "CO", "United States", 1.3),
    City("Atlanta", "GA", "United States", 1.4),
    City("Miami", "FL", "United States", 1.0),
    City("Raleigh", "NC", "United States", 0.9),
    City("Minneapolis", "MN", "United States", 0.9),
    City("Portland", "OR", "United States", 0.8),
    City("San Diego", "CA", "United States", 0.9),
    City("Washington", "DC", "United States", 1.4),
    City("Houston", "TX", "United States", 1.2),
    City("Pittsburgh", "PA", "United States", 0.7),
    City("Salt Lake City", "UT", "United States", 0.6),
    City("Nashville", "TN", "United States", 0.7),
    City("Detroit", "MI", "United States", 0.7),
    City("Columbus", "OH", "United States", 0.7),
    City("Toronto", "ON", "Canada", 1.3),
    City("Vancouver", "BC", "Canada", 0.8),
    City("London", "", "United Kingdom", 1.8),
    City("Dublin", "", "Ireland", 0.7),
    City("Berlin", "", "Germany", 0.9),
    City("Amsterdam", "", "Netherlands", 0.7),
    City("Lisbon", "", "Portugal", 0.4),
    City("Stockholm", "", "Sweden", 0.4),
    City("Singapore", "", "Singapore", 0.6),
    City("Bangalore", "", "India", 0.8),
    City("Sydney", "NSW", "Australia", 0.6),
)


UNIVERSITIES: tuple[str, ...] = (
    "Massachusetts Institute of Technology",
    "Stanford University",
    "University of California, Berkeley",
    "University of Michigan",
    "Georgia Institute of Technology",
    "University of Texas at Austin",
    "Carnegie Mellon University",
    "University of Washington",
    "University of Illinois Urbana-Champaign",
    "Purdue University",
    "Ohio State University",
    "University of Wisconsin-Madison",
    "New York University",
    "Boston University",
    "Arizona State University",
    "Penn State University",
    "University of Florida",
    "University of North Carolina at Chapel Hill",
    "Northeastern University",
    "Rutgers University",
    "University of Minnesota",
    "Columbia University",
    "Johns Hopkins University",
    "Howard University",
    "San Jose State University",
    "University of Colorado Boulder",
    "Texas A&M University",
    "University of Toronto",
    "University of British Columbia",
    "Imperial College London",
    "University College London",
    "Trinity College Dublin",
    "Technical University of Munich",
    "University of Amsterdam",
    "National University of Singapore",
    "Indian Institute of Technology Bombay",
    "University of Sydney",
)
