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


# fmt: off
INDUSTRY_LIST: tuple[Industry, ...] = (
    Industry(
        name="Software & Internet",
        core_families=("software_engineering", "data_science", "product_management", "design",
                       "customer_success", "cybersecurity"),
        specialties=("SaaS", "Cloud Infrastructure", "Developer Tools", "Collaboration Software",
                     "Data Platforms", "API Management", "Mobile Apps", "Machine Learning"),
        offerings=("a collaboration platform for distributed teams",
                   "developer tools for API testing", "a data platform for product analytics",
                   "workflow automation software", "a mobile app for personal finance",
                   "cloud infrastructure for small businesses"),
        customers=("product teams", "mid-market companies", "developers", "enterprise IT teams"),
        name_words=("Labs", "Software", "Cloud", "Systems", "Technologies", "AI", "Data"),
        tld="io",
    ),
    Industry(
        name="Financial Services",
        core_families=("finance", "software_engineering", "data_science", "cybersecurity", "sales"),
        specialties=("Payments", "Wealth Management", "Lending", "Banking", "Risk Analytics",
                     "Investment Research", "Treasury"),
        offerings=("digital banking for small businesses", "payment processing",
                   "wealth management", "consumer lending", "investment research tools"),
        customers=("small businesses", "retail investors", "community banks", "asset managers"),
        name_words=("Capital", "Financial", "Bank", "Partners", "Payments", "Advisors"),
    ),
    Industry(
        name="Hospitals & Health Care", core_families=("healthcare", "operations"),
        specialties=("Acute Care", "Pediatrics", "Oncology", "Telehealth", "Emergency Medicine",
                     "Primary Care", "Behavioral Health"),
        offerings=("acute and primary care across several hospitals", "pediatric care",
                   "outpatient clinics and telehealth", "cancer treatment and research"),
        customers=("patients and families", "local communities", "referring physicians"),
        name_words=("Health", "Medical Center", "Health System", "Care", "Clinic"),
    ),
    Industry(
        name="Retail & E-commerce",
        core_families=("marketing", "operations", "software_engineering", "sales"),
        specialties=("E-commerce", "Omnichannel Retail", "Merchandising", "Direct-to-Consumer",
                     "Marketplace", "Loyalty Programs"),
        offerings=("outdoor gear online and in stores", "a home goods marketplace",
                   "direct-to-consumer skincare", "grocery delivery", "sustainable apparel"),
        customers=("shoppers", "independent brands", "families", "outdoor enthusiasts"),
        name_words=("Goods", "Supply Company", "Market", "Outfitters", "Brands", "Shop"),
    ),
    Industry(
        name="Manufacturing", core_families=("mechanical_engineering", "operations"),
        specialties=("Industrial Automation", "Precision Machining", "Electronics Manufacturing",
                     "Packaging", "Robotics", "Quality Systems"),
        offerings=("precision components for aerospace", "industrial robots",
                   "packaging equipment", "electronic assemblies", "HVAC systems"),
        customers=("OEMs", "aerospace suppliers", "food producers", "industrial customers"),
        name_words=("Industries", "Manufacturing", "Works", "Dynamics", "Robotics", "Fabrication"),
    ),
    Industry(
        name="Education", core_families=("education",),
        specialties=("K-12 Education", "Higher Education", "Online Learning", "STEM Programs",
                     "Special Education", "Adult Learning"),
        offerings=("K-12 education", "online courses for working adults", "STEM programs",
                   "tutoring and test preparation", "college preparatory education"),
        customers=("students", "parents", "school districts", "adult learners"),
        name_words=("Academy", "Learning", "School", "Institute", "Education"),
    ),
    Industry(
        name="Construction & Engineering",
        core_families=("civil_engineering", "mechanical_engineering", "operations"),
        specialties=("Infrastructure", "Commercial Construction", "Structural Engineering",
                     "Water Resources", "Transportation", "Design-Build"),
        offerings=("infrastructure design and construction", "commercial buildings",
                   "water and wastewater projects", "transportation engineering"),
        customers=("municipalities", "developers", "state agencies", "utilities"),
        name_words=("Builders", "Engineering", "Construction", "Associates", "Structures", "Group"),
    ),
    Industry(
        name="Media & Entertainment",
        core_families=("marketing", "design", "software_engineering"),
        specialties=("Streaming", "Publishing", "Podcasts", "Digital Media", "Film Production",
                     "Advertising"),
        offerings=("a streaming service for documentaries", "digital news", "podcasts",
                   "branded video content", "music publishing"),
        customers=("audiences", "advertisers", "creators", "subscribers"),
        name_words=("Media", "Studios", "Pictures", "Network", "Audio", "Press"),
    ),
    Industry(
        name="Telecommunications",
        core_families=("software_engineering", "cybersecurity", "customer_success", "sales"),
        specialties=("5G", "Fiber Broadband", "Network Infrastructure", "IoT Connectivity",
                     "Unified Communications"),
        offerings=("fiber broadband", "5G network services", "IoT connectivity",
                   "business phone systems"),
        customers=("households", "enterprises", "municipalities", "device makers"),
        name_words=("Telecom", "Networks", "Communications", "Connect", "Wireless"),
    ),
    Industry(
        name="Logistics & Supply Chain",
        core_families=("operations", "software_engineering", "data_science"),
        specialties=("Freight", "Last-Mile Delivery", "Warehousing", "Fleet Management",
                     "Freight Forwarding", "Cold Chain"),
        offerings=("last-mile delivery", "freight brokerage", "third-party warehousing",
                   "cold-chain logistics"),
        customers=("retailers", "shippers", "manufacturers", "grocers"),
        name_words=("Logistics", "Freight", "Transport", "Express", "Shipping"),
    ),
    Industry(
        name="Energy & Utilities",
        core_families=("mechanical_engineering", "civil_engineering", "operations"),
        specialties=("Solar", "Wind Energy", "Grid Modernization", "Energy Storage", "Utilities",
                     "EV Charging"),
        offerings=("utility-scale solar", "battery storage", "EV charging networks",
                   "electricity and gas service", "wind farm development"),
        customers=("homeowners", "utilities", "municipalities", "commercial property owners"),
        name_words=("Energy", "Power", "Solar", "Renewables", "Utilities", "Grid"),
    ),
    Industry(
        name="Management Consulting",
        core_families=("finance", "data_science", "operations", "human_resources"),
        specialties=("Strategy", "Digital Transformation", "Operations Consulting",
                     "Organizational Change", "Analytics", "Due Diligence"),
        offerings=("strategy and operations consulting", "digital transformation programs",
                   "analytics advisory", "organizational change"),
        customers=("Fortune 500 companies", "private equity firms", "public agencies",
                   "growth-stage companies"),
        name_words=("Consulting", "Advisory", "Partners", "Group", "Strategy"),
    ),
    Industry(
        name="Biotech & Pharmaceuticals", core_families=("data_science", "healthcare", "legal"),
        specialties=("Drug Discovery", "Clinical Trials", "Genomics", "Medical Devices",
                     "Regulatory Affairs", "Biologics"),
        offerings=("drug discovery for rare diseases", "genomic diagnostics", "medical devices",
                   "clinical trial services"),
        customers=("patients", "research hospitals", "pharma partners", "clinicians"),
        name_words=("Bio", "Therapeutics", "Genomics", "Pharma", "Biosciences"),
    ),
    Industry(
        name="Government & Public Sector",
        core_families=("civil_engineering", "legal", "cybersecurity"),
        specialties=("Public Works", "Digital Services", "Public Safety", "Transportation",
                     "Public Health"),
        offerings=("public works and transportation", "digital public services",
                   "public health programs", "regional planning"),
        customers=("residents", "local businesses", "state agencies"),
        name_words=("Authority", "Department", "Agency", "Commission", "Office"),
    ),
    Industry(
        name="Real Estate", core_families=("finance", "sales", "operations"),
        specialties=("Commercial Real Estate", "Property Management", "Residential Brokerage",
                     "PropTech", "Real Estate Investment"),
        offerings=("commercial property management", "residential brokerage",
                   "real estate investment", "coworking spaces"),
        customers=("tenants", "homebuyers", "investors", "landlords"),
        name_words=("Properties", "Realty", "Real Estate", "Development", "Estates"),
    ),
    Industry(
        name="Automotive",
        core_families=("mechanical_engineering", "software_engineering", "operations"),
        specialties=("Electric Vehicles", "Autonomous Driving", "Automotive Parts",
                     "Connected Car", "Battery Technology"),
        offerings=("electric delivery vans", "driver-assistance software", "automotive parts",
                   "battery systems for EVs"),
        customers=("fleet operators", "automakers", "drivers", "dealers"),
        name_words=("Motors", "Automotive", "Mobility", "EV", "Drive"),
    ),
    Industry(
        name="Hospitality & Travel", core_families=("operations", "customer_success", "marketing"),
        specialties=("Hotels", "Travel Booking", "Restaurants", "Events", "Vacation Rentals"),
        offerings=("boutique hotels", "online travel booking", "vacation rentals",
                   "restaurant groups", "corporate events"),
        customers=("travelers", "diners", "event planners", "hosts"),
        name_words=("Hotels", "Hospitality", "Travel", "Stays", "Resorts", "Trips"),
    ),
    Industry(
        name="Insurance", core_families=("finance", "data_science", "sales", "customer_success"),
        specialties=("Property & Casualty", "Life Insurance", "Insurtech", "Claims",
                     "Underwriting"),
        offerings=("home and auto insurance", "small-business insurance", "life insurance",
                   "pet insurance"),
        customers=("policyholders", "small businesses", "brokers", "families"),
        name_words=("Insurance", "Mutual", "Assurance", "Underwriters", "Shield"),
    ),
    Industry(
        name="Legal Services", core_families=("legal",),
        specialties=("Corporate Law", "Litigation", "Intellectual Property", "Employment Law",
                     "Legal Technology"),
        offerings=("corporate and transactional law", "litigation", "intellectual property",
                   "employment law"),
        customers=("growth companies", "founders", "public companies", "nonprofits"),
        name_words=("LLP", "Law Group", "Legal", "& Partners"),
    ),
    Industry(
        name="Nonprofit", core_families=("education", "marketing", "operations"),
        specialties=("Community Development", "Youth Programs", "Fundraising", "Climate Advocacy",
                     "Food Security", "Literacy"),
        offerings=("youth literacy programs", "food security", "climate advocacy",
                   "affordable housing", "community health"),
        customers=("families", "volunteers", "donors", "local communities"),
        name_words=("Foundation", "Alliance", "Project", "Fund", "Initiative"), tld="org",
    ),
    Industry(
        name="Video Games",
        core_families=("software_engineering", "design", "product_management", "marketing"),
        specialties=("Game Development", "Mobile Games", "Live Operations", "Game Engines",
                     "Esports"),
        offerings=("mobile puzzle games", "multiplayer strategy games", "indie console titles",
                   "game engine tooling"),
        customers=("players", "streamers", "platform partners"),
        name_words=("Games", "Studios", "Interactive", "Entertainment", "Play"),
    ),
)
# fmt: on


# fmt: off
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
# fmt: on


# fmt: off
UNIVERSITIES: tuple[str, ...] = (
    "Massachusetts Institute of Technology", "Stanford University",
    "University of California, Berkeley", "University of Michigan",
    "Georgia Institute of Technology", "University of Texas at Austin",
    "Carnegie Mellon University", "University of Washington",
    "University of Illinois Urbana-Champaign", "Purdue University", "Ohio State University",
    "University of Wisconsin-Madison", "New York University", "Boston University",
    "Arizona State University", "Penn State University", "University of Florida",
    "University of North Carolina at Chapel Hill", "Northeastern University", "Rutgers University",
    "University of Minnesota", "Columbia University", "Johns Hopkins University",
    "Howard University", "San Jose State University", "University of Colorado Boulder",
    "Texas A&M University", "University of Toronto", "University of British Columbia",
    "Imperial College London", "University College London", "Trinity College Dublin",
    "Technical University of Munich", "University of Amsterdam",
    "National University of Singapore", "Indian Institute of Technology Bombay",
    "University of Sydney",
)
# fmt: on
